"""Reminder scheduling (APScheduler 3)."""
