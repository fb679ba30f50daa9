"""What the records pages (web/pages/records.py, web/pages/record.py) draw on: a record's values as
inputs and cells, the record form, and the table's view of filter, sort and page."""
