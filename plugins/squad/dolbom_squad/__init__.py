"""Welfare squad (신바람 복지기동대): volunteers per dong, work orders for small repairs, clean-ups and safety checks, completion with notes and photos, monthly summaries."""
