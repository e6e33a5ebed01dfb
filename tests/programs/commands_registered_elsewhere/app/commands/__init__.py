from .list_commands import start_list

__all__ = ["start_list"]
