package io.joblib4j.multiprocessing;

import java.io.Serial;
import java.io.Serializable;

/**
 * How any process on this machine reaches a shared object: the socket of the hub hosting it, the hub's process id
 * and the object's number there.
 *
 * @param socket   the hub's Unix domain socket
 * @param ownerPid the process hosting the object (its creator)
 * @param id       the object's number in its hub
 * @param kind     what it is, for messages ({@code ProcessQueue}, ...)
 */
record HubRef(String socket, long ownerPid, int id, String kind) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** True in the process that created (hosts) the object. */
    boolean isOwner() {
        return ownerPid == ProcessHandle.current().pid();
    }

    @Override
    public String toString() {
        return kind + " #" + id + " of process " + ownerPid;
    }
}
