"""Pages. Each view fetches and authorises (``prpath.clinic.permissions``), calls one service, and renders."""
