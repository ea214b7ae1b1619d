"""newsqa: question answering with verified citations over Chinese newspaper articles."""
