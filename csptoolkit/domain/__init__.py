"""The rules of the toolkit as plain Python: no Flask, no database."""
