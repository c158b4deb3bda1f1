"""Datasets, splits and preprocessing."""
