"""Data layer: SQLModel tables, query functions, periods and point rules."""
