package dev.flinksidecar.sidecar.rules.loading;

import java.util.Arrays;

/**
 * SHA-256 (FIPS 180-4) for {@link ContentHash}. The JDK's {@code MessageDigest} gives the same
 * digests, but on the sidecar's start path it cost about 30 ms with three small rule jars: its
 * first use starts the JCA providers, and until the JIT compiles it, it runs interpreted through
 * VarHandles at about 1 MB/s (BENCHMARKS.md, StartupFootprint). This one has no set-up and reads
 * the message with plain shifts. {@code Sha256Test} checks it against {@code MessageDigest}.
 *
 * <p>Use: {@link #update} any number of times, then {@link #digest()} once; {@link #copy()} forks
 * the state (the hash of a prefix and of a longer message in one pass). Not thread-safe.
 */
final class Sha256 {

    /**
     * The round constants: the first 32 bits of the fractional parts of the cube roots of the first
     * 64 primes.
     */
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
                0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
                0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc,
                0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351,
                0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
                0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585,
                0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
                0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
                0xc67178f2,
    };

    private static final int BLOCK = 64;

    /**
     * The hash value H0..H7, initially the first 32 bits of the fractional parts of the square
     * roots of the first 8 primes.
     */
    private final int[] h;

    /** The bytes of an incomplete block. */
    private final byte[] pending;

    private int pendingLength;
    private long messageLength;

    /** The message schedule, reused from block to block. */
    private final int[] w = new int[64];

    Sha256() {
        h =
                new int[] {
                    0x6a09e667,
                    0xbb67ae85,
                    0x3c6ef372,
                    0xa54ff53a,
                    0x510e527f,
                    0x9b05688c,
                    0x1f83d9ab,
                    0x5be0cd19
                };
        pending = new byte[BLOCK];
    }

    private Sha256(Sha256 other) {
        h = other.h.clone();
        pending = other.pending.clone();
        pendingLength = other.pendingLength;
        messageLength = other.messageLength;
    }

    /** An independent hash with this one's state: what each is given from now on is its own. */
    Sha256 copy() {
        return new Sha256(this);
    }

    /** Adds {@code bytes} to the message. */
    void update(byte[] bytes) {
        int offset = 0;
        int end = bytes.length;
        messageLength += end;
        if (pendingLength > 0) {
            int n = Math.min(BLOCK - pendingLength, end);
            System.arraycopy(bytes, 0, pending, pendingLength, n);
            pendingLength += n;
            offset = n;
            if (pendingLength < BLOCK) {
                return;
            }
            compress(pending, 0);
            pendingLength = 0;
        }
        for (; end - offset >= BLOCK; offset += BLOCK) {
            compress(bytes, offset);
        }
        pendingLength = end - offset;
        System.arraycopy(bytes, offset, pending, 0, pendingLength);
    }

    /** The 32-byte hash of the message; call once, after the last {@link #update}. */
    byte[] digest() {
        long bits = messageLength * 8;
        pending[pendingLength++] = (byte) 0x80;
        if (pendingLength > BLOCK - 8) {
            Arrays.fill(pending, pendingLength, BLOCK, (byte) 0);
            compress(pending, 0);
            pendingLength = 0;
        }
        Arrays.fill(pending, pendingLength, BLOCK - 8, (byte) 0);
        for (int i = 0; i < 8; i++) {
            pending[BLOCK - 8 + i] = (byte) (bits >>> (56 - 8 * i));
        }
        compress(pending, 0);
        byte[] out = new byte[32];
        for (int i = 0; i < 8; i++) {
            out[4 * i] = (byte) (h[i] >>> 24);
            out[4 * i + 1] = (byte) (h[i] >>> 16);
            out[4 * i + 2] = (byte) (h[i] >>> 8);
            out[4 * i + 3] = (byte) h[i];
        }
        return out;
    }

    /**
     * One 64-byte block at {@code offset}. The rotations are written out ({@code x >>> n | x << 32
     * - n}) rather than calls to {@code Integer.rotateRight}: this runs interpreted at start, where
     * each call costs.
     */
    private void compress(byte[] in, int offset) {
        int[] w = this.w;
        for (int t = 0, p = offset; t < 16; t++, p += 4) {
            w[t] =
                    in[p] << 24
                            | (in[p + 1] & 0xff) << 16
                            | (in[p + 2] & 0xff) << 8
                            | in[p + 3] & 0xff;
        }
        for (int t = 16; t < 64; t++) {
            int x = w[t - 15];
            int y = w[t - 2];
            int s0 = (x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ x >>> 3;
            int s1 = (y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ y >>> 10;
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        int a = h[0];
        int b = h[1];
        int c = h[2];
        int d = h[3];
        int e = h[4];
        int f = h[5];
        int g = h[6];
        int hh = h[7];
        for (int t = 0; t < 64; t++) {
            int sum1 = (e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7);
            int t1 = hh + sum1 + (e & f ^ ~e & g) + K[t] + w[t];
            int sum0 = (a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10);
            int t2 = sum0 + (a & b ^ a & c ^ b & c);
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }
}
