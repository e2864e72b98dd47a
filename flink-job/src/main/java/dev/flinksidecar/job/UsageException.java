package dev.flinksidecar.job;

/** A problem with the command line or the environment that one clear line explains; exit code 2. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
