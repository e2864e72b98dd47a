package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.DeployRequest;
import dev.flinksidecar.proto.JvmStatus;
import dev.flinksidecar.proto.QuarantinedVersion;
import dev.flinksidecar.proto.RuleStatus;
import dev.flinksidecar.proto.ShadowRequest;
import dev.flinksidecar.sidecar.deploy.DeployOutcome;
import dev.flinksidecar.sidecar.deploy.RuleRegistry;
import dev.flinksidecar.sidecar.rules.running.Quarantines;
import dev.flinksidecar.sidecar.unload.RetiredLoaders;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers admin requests (admin.proto) from the registry, the retired-loader watch and the JVM.
 *
 * <p>Threads: {@link #handle} runs on the sidecar's single admin thread, never an event loop: a
 * deploy runs rule code (open, self-test), and requests are handled one at a time.
 */
public final class AdminService {

    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

    private final RuleRegistry registry;
    private final RetiredLoaders loaders;

    public AdminService(RuleRegistry registry, RetiredLoaders loaders) {
        this.registry = registry;
        this.loaders = loaders;
    }

    /** The answer to {@code request}; never throws. */
    public AdminResponse handle(AdminRequest request) {
        try {
            switch (request.getKindCase()) {
                case DEPLOY:
                    return deploy(request.getDeploy());
                case LIST:
                    return AdminResponse.newBuilder()
                            .setOk(true)
                            .addAllRules(registry.status())
                            .build();
                case STATUS:
                    return status(request.getStatus().getGc());
                case ROLLBACK:
                    return answer(
                            registry.rollback(
                                    request.getRollback().getRule(),
                                    request.getRollback().getActivateAfterCheckpoint()));
                case REMOVE:
                    return answer(
                            registry.remove(
                                    request.getRemove().getRule(),
                                    request.getRemove().getActivateAfterCheckpoint()));
                case SHADOW:
                    return shadow(request.getShadow());
                case SHADOW_STATUS:
                    return registry.shadows().status(request.getShadowStatus().getRule());
                case PROMOTE:
                    return registry.shadows().promote(request.getPromote().getRule());
                case UNSHADOW:
                    return registry.shadows().unshadow(request.getUnshadow().getRule());
                default:
                    return bad(
                            "the request names no operation (deploy, list, status, rollback, remove,"
                                    + " shadow, shadow-status, promote, unshadow)");
            }
        } catch (Throwable e) { // every request gets an answer; only a broken JVM escapes
            RuleRegistry.rethrowIfFatal(e);
            LOG.error("admin request failed: {}", request.getKindCase(), e);
            return AdminResponse.newBuilder()
                    .setOk(false)
                    .setCode("INTERNAL")
                    .setMessage("the sidecar failed: " + e)
                    .build();
        }
    }

    private AdminResponse deploy(DeployRequest deploy) {
        String fileName = deploy.getFileName();
        if (fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")) {
            return bad(
                    "deploy needs the jar's file name without a folder, e.g. fraud.jar, not '"
                            + fileName
                            + "'");
        }
        byte[] config = deploy.hasConfig() ? deploy.getConfig().toByteArray() : null;
        return answer(
                registry.deploy(
                        fileName,
                        deploy.getJar().toByteArray(),
                        config,
                        "admin " + fileName,
                        deploy.getActivateAfterCheckpoint()));
    }

    private AdminResponse shadow(ShadowRequest shadow) {
        String fileName = shadow.getFileName();
        if (fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")) {
            return bad(
                    "shadow needs the jar's file name without a folder, e.g. fraud.jar, not '"
                            + fileName
                            + "'");
        }
        byte[] config = shadow.hasConfig() ? shadow.getConfig().toByteArray() : null;
        return registry.shadows().shadow(fileName, shadow.getJar().toByteArray(), config);
    }

    private AdminResponse answer(DeployOutcome outcome) {
        AdminResponse.Builder response =
                AdminResponse.newBuilder()
                        .setOk(outcome.ok())
                        .setCode(outcome.code())
                        .setMessage(outcome.message())
                        .setDetail(outcome.detail());
        for (RuleStatus rule : registry.status()) {
            if (rule.getId().equals(outcome.ruleId())) {
                response.addRules(rule);
            }
        }
        return response.build();
    }

    private AdminResponse status(boolean gc) {
        loaders.check(gc);
        return AdminResponse.newBuilder()
                .setOk(true)
                .addAllRules(registry.status())
                .setLoaders(loaders.status())
                .setJvm(jvm())
                .addAllRefusals(registry.refusals())
                .addAllQuarantined(quarantined())
                .build();
    }

    private List<QuarantinedVersion> quarantined() {
        List<QuarantinedVersion> all = new ArrayList<>();
        for (Quarantines.Entry entry : registry.quarantines().all()) {
            all.add(
                    QuarantinedVersion.newBuilder()
                            .setRule(entry.id())
                            .setVersion(entry.version())
                            .setReason(entry.reason())
                            .setSinceMs(entry.since().toEpochMilli())
                            .build());
        }
        return all;
    }

    private JvmStatus jvm() {
        long metaspace = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                metaspace = pool.getUsage().getUsed();
            }
        }
        return JvmStatus.newBuilder()
                .setHeapUsedBytes(
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
                .setMetaspaceUsedBytes(metaspace)
                .setLiveThreads(ManagementFactory.getThreadMXBean().getThreadCount())
                .setLoadedClasses(ManagementFactory.getClassLoadingMXBean().getLoadedClassCount())
                .setUnloadedClasses(
                        ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount())
                .setSessions(registry.sessions())
                .setLastCheckpointBarrier(registry.lastBarrier())
                .setLastCompletedCheckpoint(registry.lastCompleted())
                .build();
    }

    private static AdminResponse bad(String message) {
        return AdminResponse.newBuilder()
                .setOk(false)
                .setCode("BAD_REQUEST")
                .setMessage(message)
                .build();
    }
}
