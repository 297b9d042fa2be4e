// Encryption of secrets at rest, as an interface so stores stay free of key management.
// The implementation (security/aes-gcm-box.ts) uses AES-256-GCM.

export interface SecretBox {
  /** Returns an opaque printable string (versioned, authenticated). */
  seal(plaintext: string): string;
  /** Throws when the ciphertext was tampered with or sealed under another key. */
  open(sealed: string): string;
}
