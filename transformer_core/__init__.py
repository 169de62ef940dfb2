"""A complete, tested Transformer: config, attention, masks, layers, models,
decoding (KV cache, greedy, beam, sampling) and training utilities.

Imports nothing else of this project.
"""
