"""The morning review (每日复盘): yesterday's numbers against last week, the normal range, last
year and the target, by role; what changed and where; the day's events; a brief for the team."""
