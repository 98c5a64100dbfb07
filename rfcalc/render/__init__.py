"""Pure renderers: analysis results and findings to text, JSON and rich renderables."""
