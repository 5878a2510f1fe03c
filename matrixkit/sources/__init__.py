"""Reading what HR gives matrixkit: YAML with a line for every key, shipped templates, CSV/XLSX tables."""
