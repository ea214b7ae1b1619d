"""Answer backends: the offline extractive answerer (`extractive`) and the LLM's model (`llm`)."""
