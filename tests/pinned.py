"""The date every test runs at unless it pins its own: inside the report's plan year, the frame
the older question sets were written in (今年 = 2025, 去年 = 2024)."""

from datetime import date

TODAY = date(2025, 6, 1)
