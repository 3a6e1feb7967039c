"""Linked processing across agencies (liên thông): groups of dossiers and chains over lists."""
