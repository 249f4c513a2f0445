package contractgraph;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Neo4j Community with Bolt on the loopback interface, for development and CI.
 *
 * Usage: java [JVM flags] -cp ... contractgraph.Neo4jLocal HOME PORT PAGECACHE_MB
 * The password of the `neo4j` user comes from the environment (NEO4J_PASSWORD), never from the
 * command line, so it does not show in `ps`. SIGTERM runs the shutdown hook: a clean stop.
 */
public final class Neo4jLocal {
    private Neo4jLocal() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: Neo4jLocal HOME PORT PAGECACHE_MB");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long pageCacheMb = Long.parseLong(args[2]);
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("set NEO4J_PASSWORD (8 characters or more) for the local server's neo4j user");
            System.exit(2);
        }

        long started = System.nanoTime();
        SocketAddress bolt = new SocketAddress("127.0.0.1", port);
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                // A development copy of files loaded elsewhere, never backed up from its logs: keep only the
                // transaction logs recovery needs (the default keeps two days, 30 GB over a week of test runs).
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "keep_none")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(64))
                .setConfig(GraphDatabaseSettings.check_point_interval_time, Duration.ofMinutes(5))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("neo4j-local: shutting down");
            service.shutdown();
            System.err.println("neo4j-local: stopped");
        }, "neo4j-local-shutdown"));

        GraphDatabaseService system = service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        system.executeTransactionally("ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                Map.of("password", password));

        System.err.printf("neo4j-local: ready on bolt://127.0.0.1:%d in %.1f s (home %s)%n",
                port, (System.nanoTime() - started) / 1e9, home);
        Thread.currentThread().join();
    }
}
