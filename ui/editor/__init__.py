"""The add/edit form and the import panel of the Add / import page."""
