from app.admin.stats import show_stats

show_stats()
