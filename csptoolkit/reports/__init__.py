"""Reports: charts shared by pages and PDFs, and spreadsheet exports."""
