// Placeholder runner replaced below.
