"""Compatibility namespaces that let code written for other libraries run on probgraph
(``compat.theano``)."""
