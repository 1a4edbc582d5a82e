"""The encrypted field used for restricted notes (medical, legal) and document content.

Re-exported from lvv.access.fields (the privacy engineer's key mechanism) so that every
special-category value in the register is encrypted the same way."""

from lvv.access.fields import EncryptedTextField  # noqa: F401
