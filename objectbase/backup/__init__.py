"""Backup and restore of a whole instance: every table and every referenced file, in one archive."""
