# Administration

administration = Operations
user-new-title = Create a user
none-cross-municipal = None (cross-municipal role)
user-created = The user { $login } has been created.
