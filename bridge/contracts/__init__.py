"""After the award: the contract, the work delivered and accepted (FAA s.34), the payment
requisition and its confirmation (FAA s.33)."""
