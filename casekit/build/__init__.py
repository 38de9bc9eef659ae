"""Running a build: load a course, schedule format x edition jobs, skip fresh ones, summarise."""
