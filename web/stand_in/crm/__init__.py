"""The stand-in council tax and broadband CRM: accounts, cases and voucher applications."""
