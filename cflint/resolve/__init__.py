"""`--resolve`: what pip would install from a function root's requirements on the runtime.

pip resolves the requirements for each target Python (CPython, manylinux x86_64, wheels
only); its report becomes a `VersionResolution` (the distributions, their dependencies and
modules) or a failure, cached by the requirements' content, the target and the index
options (`store`). Nothing here runs unless a setting asks for it: a run without
`--resolve` imports none of it.
"""
