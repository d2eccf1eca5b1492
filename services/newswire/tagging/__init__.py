"""Tagging: countries (gazetteer) and people, organisations and places (NER), as pure code."""
