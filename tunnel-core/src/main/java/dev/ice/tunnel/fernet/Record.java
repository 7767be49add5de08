package dev.ice.tunnel.fernet;

/**
 * One token's verified plaintext.
 *
 * @param type what it carries
 * @param payload the bytes after the token's header
 */
record Record(RecordType type, byte[] payload) {
}
