package dev.taskvs.engine.nic.dpdk;

import jnr.ffi.LibraryLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads the shim. Places looked at, in order:
 * <ol>
 *   <li>the system property {@value #PATH_PROPERTY}, a path to the library file;</li>
 *   <li>{@code target/native/libtaskvs_dpdk.so} next to the {@code target/classes} this class was loaded
 *   from (a build tree, as the tests and {@code ./kvs} run);</li>
 *   <li>the copy the build puts in the jar at {@value #RESOURCE}, extracted to a temporary directory.</li>
 * </ol>
 * The shim links DPDK's shared libraries ({@code librte_*.so.23}), so loading it also needs Debian's DPDK
 * runtime packages.
 */
public final class DpdkLibrary
{
    public static final String PATH_PROPERTY = "taskvs.dpdk.library";
    public static final String FILE_NAME = "libtaskvs_dpdk.so";
    public static final String RESOURCE = "/native/linux-x86_64/" + FILE_NAME;
    /** The shim's ABI version this Java code was written for (TKD_SHIM_VERSION in the C file). */
    public static final int SHIM_VERSION = 1;

    private static final String HOW_TO_BUILD = "The shim is built by tas-engine's Maven build (compile phase) " +
        "when DPDK's development files are installed: run scripts/install-test-deps.sh " +
        "(or apt-get install dpdk libdpdk-dev pkg-config), then build again.";

    private static DpdkShim shim;
    private static DpdkLayout layout;
    private static Path loadedFrom;

    private DpdkLibrary()
    {
    }

    /**
     * @return the bound shim, loading it on first use.
     * @throws DpdkException naming the places looked at and how to build the shim, when it cannot be loaded.
     */
    public static synchronized DpdkShim shim()
    {
        if (shim == null)
        {
            final List<String> tried = new ArrayList<>();
            final Path path = locate(tried);
            if (path == null)
            {
                throw new DpdkException("DPDK shim " + FILE_NAME + " not found (looked at: " +
                    String.join(", ", tried) + "). " + HOW_TO_BUILD, 0);
            }
            final DpdkShim loaded;
            try
            {
                loaded = LibraryLoader.create(DpdkShim.class)
                    .search(path.getParent().toString())
                    .failImmediately()
                    .load(FILE_NAME.substring(3, FILE_NAME.length() - 3));
            }
            catch (final LinkageError | RuntimeException ex)
            {
                throw new DpdkException("cannot load the DPDK shim " + path + ": " + ex.getMessage() +
                    ". It needs DPDK's shared libraries (apt-get install dpdk libdpdk-dev). " + HOW_TO_BUILD, 0);
            }
            final int version = loaded.tkd_shim_version();
            if (version != SHIM_VERSION)
            {
                throw new DpdkException("DPDK shim " + path + " has version " + version + ", this code needs " +
                    SHIM_VERSION + ": the library is stale. " + HOW_TO_BUILD, 0);
            }
            layout = DpdkLayout.read(loaded);
            loadedFrom = path;
            shim = loaded;
        }
        return shim;
    }

    /** @return the sizes and offsets the loaded shim exports. */
    public static synchronized DpdkLayout layout()
    {
        shim();
        return layout;
    }

    /** @return the file the shim was loaded from. */
    public static synchronized Path loadedFrom()
    {
        shim();
        return loadedFrom;
    }

    private static Path locate(final List<String> tried)
    {
        final String property = System.getProperty(PATH_PROPERTY);
        if (property != null && !property.isEmpty())
        {
            final Path path = Path.of(property).toAbsolutePath();
            tried.add(path + " (-D" + PATH_PROPERTY + ")");
            return Files.isRegularFile(path) ? path : null;
        }
        final Path buildTree = besideClasses();
        if (buildTree != null)
        {
            tried.add(buildTree.toString());
            if (Files.isRegularFile(buildTree))
            {
                return buildTree;
            }
        }
        tried.add("classpath resource " + RESOURCE);
        return extractResource();
    }

    private static Path besideClasses()
    {
        try
        {
            final Path classes = Path.of(DpdkLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isDirectory(classes) && classes.getParent() != null ?
                classes.getParent().resolve("native").resolve(FILE_NAME) : null;
        }
        catch (final URISyntaxException | RuntimeException ex)
        {
            return null;
        }
    }

    private static Path extractResource()
    {
        try (InputStream in = DpdkLibrary.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                return null;
            }
            final Path dir = Files.createTempDirectory("taskvs-dpdk");
            final Path file = dir.resolve(FILE_NAME);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot extract " + RESOURCE, ex);
        }
    }
}
