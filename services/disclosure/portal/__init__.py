"""The public web portal: server-rendered pages in Chinese and English."""
