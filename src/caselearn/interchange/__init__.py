"""Exchange of codebooks and coded reviews with other qualitative analysis tools."""
