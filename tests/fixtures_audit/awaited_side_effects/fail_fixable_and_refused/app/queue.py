queue = None
