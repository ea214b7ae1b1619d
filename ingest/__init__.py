"""Ingestion: read files, clean newspaper pages, split articles, chunk, and index them."""
