"""The bundled demo: three fictional city portals served on 127.0.0.1 and crawled for real."""
