package dev.flinksidecar.sidecar.http;

import dev.flinksidecar.sidecar.metrics.SidecarMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Answers the three paths; {@code GET} and {@code HEAD} only (else 405 with {@code Allow}), any
 * other path 404, a request that does not parse 400. Keep-alive as the client asks.
 *
 * <p>Threads: the HTTP event loop. A scrape reads adders and gauges, never a lock of the data path;
 * only the retired-loader gauges take that watch's lock, which the admin thread holds briefly.
 */
@ChannelHandler.Sharable
final class HttpRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final SidecarMetrics metrics;
    private final Health health;

    HttpRoutes(SidecarMetrics metrics, Health health) {
        this.metrics = metrics;
        this.health = health;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n", false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean known =
                path.equals("/metrics")
                        || path.equals("/health/live")
                        || path.equals("/health/ready");
        if (!known) {
            respond(
                    ctx,
                    request,
                    HttpResponseStatus.NOT_FOUND,
                    TEXT,
                    "no such path: "
                            + path
                            + "; this endpoint serves /metrics, /health/live and /health/ready\n",
                    true);
            return;
        }
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse response =
                    response(
                            request,
                            HttpResponseStatus.METHOD_NOT_ALLOWED,
                            TEXT,
                            method + " is not allowed on " + path + "; use GET\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, request, response, true);
            return;
        }
        switch (path) {
            case "/metrics":
                respond(
                        ctx,
                        request,
                        HttpResponseStatus.OK,
                        PROMETHEUS_TEXT,
                        metrics.scrape(),
                        true);
                break;
            case "/health/live":
                respond(ctx, request, HttpResponseStatus.OK, TEXT, "live\n", true);
                break;
            default:
                String notReady = health.notReady();
                respond(
                        ctx,
                        request,
                        notReady == null
                                ? HttpResponseStatus.OK
                                : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        TEXT,
                        notReady == null
                                ? "ready\n".concat(health.notes())
                                : "not ready: " + notReady + "\n",
                        true);
        }
    }

    private static void respond(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            HttpResponseStatus status,
            String type,
            String body,
            boolean keepAlive) {
        send(ctx, request, response(request, status, type, body), keepAlive);
    }

    private static FullHttpResponse response(
            FullHttpRequest request, HttpResponseStatus status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse response =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        status,
                        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }

    private static void send(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            FullHttpResponse response,
            boolean keepAlive) {
        boolean open = keepAlive && HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, open);
        if (open) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a broken client connection; nothing else depends on it
    }
}
