"""The support centre: staff, their second factor and audit trail, help conversations, the call
centre's console, the citizens' data-access log and the support figures."""
