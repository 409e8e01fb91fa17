"""Entry-point rules: the runtime finds and can call the entry function (CF1xx)."""
