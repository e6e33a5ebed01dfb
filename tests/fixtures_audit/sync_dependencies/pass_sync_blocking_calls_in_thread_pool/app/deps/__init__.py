from .auth import get_profile, verify_key

__all__ = ["get_profile", "verify_key"]
