"""The build folder and other files kb writes: the names of the outputs, atomic writes,
the locked, all-or-nothing build, and the facts cache."""
