"""The money pages (/money/), one module per concern: claims, review, payments, funds."""
