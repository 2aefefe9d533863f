"""Risk: identity linkage, fraud signals and cases (issue 12).

The blacklist that lived here is the sanctions register now (`qiancheng.sanctions.models.BlacklistEntry`):
risk decides cases above funding, and the register must be readable below it (providers, funding).
"""
