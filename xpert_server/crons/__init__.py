"""Crons: schedules that start ordinary runs (LangGraph's `crons.*`). `schedule.py` reads the cron
expressions, `service.py` keeps crons and fires a due one, `scheduler.py` is the loop in every process."""
