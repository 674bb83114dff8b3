package dev.taskvs.engine.nic;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The few libc calls the TAP and AF_PACKET backends need, bound with jnr-ffi.
 * <p>
 * Buffers on the data path are passed as raw {@code long} addresses, which avoids a {@link Pointer} object per
 * call. {@code mmap} takes its first argument as a {@link Pointer}: jnr-ffi's ASM fast path corrupts the sixth
 * argument of all-primitive six-argument signatures on x86-64 (jnr/jnr-ffi#181, see dpdk.md P13), and one
 * object parameter moves the call off that path. For the same reason {@code send} is used rather than
 * {@code sendto}.
 */
public interface LibC
{
    int O_RDWR = 0x2;
    int O_NONBLOCK = 0x800;
    int EAGAIN = 11;
    int EINTR = 4;
    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x1;
    int MAP_PRIVATE = 0x2;
    int MAP_ANONYMOUS = 0x20;
    int MAP_NORESERVE = 0x4000;
    int MADV_HUGEPAGE = 14;
    int MSG_DONTWAIT = 0x40;

    int open(String path, int flags);

    int close(int fd);

    int ioctl(int fd, long request, Pointer argument);

    long read(int fd, long address, long count);

    long write(int fd, long address, long count);

    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer address, int length);

    int setsockopt(int fd, int level, int name, Pointer value, int length);

    Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset);

    int munmap(Pointer address, long length);

    int madvise(long address, long length, int advice);

    long send(int fd, Pointer buffer, long length, int flags);

    int if_nametoindex(String name);

    String strerror(int errno);

    /** Lazily loaded binding, so a JVM that never opens a native backend never loads libc through jnr-ffi. */
    final class Holder
    {
        private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

        private Holder()
        {
        }
    }

    /** @return the binding. */
    static LibC get()
    {
        return Holder.LIBC;
    }

    /** @return the jnr-ffi runtime of the binding, for memory and errno. */
    static Runtime runtime()
    {
        return Runtime.getRuntime(Holder.LIBC);
    }

    /** @return errno of the last failed call on this thread. */
    static int errno()
    {
        return runtime().getLastError();
    }

    /**
     * @param what the call that failed, for the message.
     * @return a description with errno and its text, for control-path exceptions.
     */
    static String describeError(final String what)
    {
        final int errno = errno();
        return what + " failed: errno " + errno + " (" + get().strerror(errno) + ")";
    }
}
