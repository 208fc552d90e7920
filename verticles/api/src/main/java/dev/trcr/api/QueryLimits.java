package dev.trcr.api;

import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.RateLimiter;
import graphql.analysis.FieldComplexityCalculator;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.language.Field;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.ExecutionResult;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * What a GraphQL operation may ask for, checked after validation and before any resolver runs, so a refused operation
 * costs no bus request. Each refusal is an error with a machine code and no data:
 * <ul>
 *   <li>depth ({@code query_too_deep}): fields nested deeper than {@code TRCR_GRAPHQL_MAX_DEPTH}; introspection
 *   operations (only {@code __schema}/{@code __type} at the root) are exempt, so GraphiQL works;</li>
 *   <li>complexity ({@code query_too_complex}): every selected field counts 1, and a field with a {@code first} or
 *   {@code limit} argument (its default when omitted) multiplies what is selected under it by that number; the total
 *   may not exceed {@code TRCR_GRAPHQL_MAX_COMPLEXITY};</li>
 *   <li>HTTP rules ({@code method_not_allowed}, {@code invalid_query}): mutations only over POST, subscriptions only
 *   over the WebSocket;</li>
 *   <li>rate ({@code rate_limited}): each root field takes a token of the caller's rate limit, as a REST call does.</li>
 * </ul>
 */
final class QueryLimits {

  /** Set in the GraphQL context of operations that arrive over the WebSocket. */
  static final String OVER_WEBSOCKET = "trcr.websocket";

  private QueryLimits() {
  }

  static List<Instrumentation> instrumentations(int maxDepth, int maxComplexity, RateLimiter users) {
    return List.of(new TransportRules(), new Depth(maxDepth), new Complexity(maxComplexity), new RateShare(users));
  }

  /**
   * REST spends one token of the caller's rate limit per command; a GraphQL operation may hold many root fields (each
   * one or more commands), so it spends one per root field: over HTTP the request's token paid for the first, over the
   * WebSocket nothing did yet. Subscriptions pay when they subscribe ({@link Subscriptions}).
   */
  private static final class RateShare extends SimplePerformantInstrumentation {
    private final RateLimiter users;

    RateShare(RateLimiter users) {
      this.users = users;
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(InstrumentationExecuteOperationParameters p,
                                                                        InstrumentationState state) {
      ExecutionContext ec = p.getExecutionContext();
      OperationDefinition operation = ec.getOperationDefinition();
      dev.trcr.kernel.Tokens.Verified caller = ec.getGraphQLContext().get(Resolvers.CALLER);
      if (caller == null || operation.getOperation() == OperationDefinition.Operation.SUBSCRIPTION
          || isIntrospection(operation)) {
        return SimpleInstrumentationContext.noOp();
      }
      boolean websocket = Boolean.TRUE.equals(ec.getGraphQLContext().get(OVER_WEBSOCKET));
      int due = operation.getSelectionSet().getSelections().size() - (websocket ? 0 : 1);
      for (int i = 0; i < due; i++) {
        long wait = users.acquire(caller.userId());
        if (wait > 0) {
          throw new AbortExecutionException(List.of(GraphqlErrors.error(ErrorCode.RATE_LIMITED,
              RateLimiter.limited(wait).getMessage() + " (each root field counts as one request)")));
        }
      }
      return SimpleInstrumentationContext.noOp();
    }
  }

  /** A field's items: its {@code first} or {@code limit} argument, with the schema's default applied. */
  static final FieldComplexityCalculator FIELDS_TIMES_PAGE_SIZE = (env, childComplexity) -> {
    Object size = env.getArguments().get("first");
    if (size == null) {
      size = env.getArguments().get("limit");
    }
    long items = size instanceof Number n ? Math.max(1, n.longValue()) : 1;
    return (int) Math.min(Integer.MAX_VALUE, 1 + items * childComplexity);
  };

  private static final class Depth extends MaxQueryDepthInstrumentation {
    private final int max;

    Depth(int max) {
      super(max);
      this.max = max;
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(InstrumentationExecuteOperationParameters p,
                                                                        InstrumentationState state) {
      if (isIntrospection(p.getExecutionContext().getOperationDefinition())) {
        return SimpleInstrumentationContext.noOp();
      }
      return super.beginExecuteOperation(p, state);
    }

    @Override
    protected AbortExecutionException mkAbortException(int depth, int maxDepth) {
      return new AbortExecutionException(List.of(GraphqlErrors.error(ErrorCode.QUERY_TOO_DEEP,
          "the query nests " + depth + " levels deep; at most " + max + " are allowed")));
    }
  }

  private static final class Complexity extends MaxQueryComplexityInstrumentation {
    private final int max;

    Complexity(int max) {
      super(max, FIELDS_TIMES_PAGE_SIZE);
      this.max = max;
    }

    @Override
    protected AbortExecutionException mkAbortException(int complexity, int maxComplexity) {
      return new AbortExecutionException(List.of(GraphqlErrors.error(ErrorCode.QUERY_TOO_COMPLEX,
          "the query's complexity is " + complexity + "; at most " + max + " is allowed (each field counts 1, "
              + "times the first/limit of the lists around it)")));
    }
  }

  /** GraphQL over HTTP: no mutation through GET (a link must not change data); subscriptions need the WebSocket. */
  private static final class TransportRules extends SimplePerformantInstrumentation {
    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(InstrumentationExecuteOperationParameters p,
                                                                        InstrumentationState state) {
      ExecutionContext ec = p.getExecutionContext();
      OperationDefinition.Operation operation = ec.getOperationDefinition().getOperation();
      boolean websocket = Boolean.TRUE.equals(ec.getGraphQLContext().get(OVER_WEBSOCKET));
      if (!websocket && operation == OperationDefinition.Operation.SUBSCRIPTION) {
        throw new AbortExecutionException(List.of(GraphqlErrors.error(ErrorCode.INVALID_QUERY,
            "subscriptions are served over a WebSocket to /graphql (sub-protocol graphql-transport-ws)")));
      }
      RoutingContext http = ec.getGraphQLContext().get(RoutingContext.class);
      if (!websocket && http != null && http.request().method() == HttpMethod.GET
          && operation == OperationDefinition.Operation.MUTATION) {
        throw new AbortExecutionException(List.of(GraphqlErrors.error(ErrorCode.METHOD_NOT_ALLOWED,
            "mutations need POST")));
      }
      return SimpleInstrumentationContext.noOp();
    }
  }

  /** An operation that only asks about the schema: every root selection is {@code __schema}, {@code __type} or {@code __typename}. */
  static boolean isIntrospection(OperationDefinition operation) {
    List<Selection> selections = operation.getSelectionSet().getSelections();
    return !selections.isEmpty() && selections.stream()
        .allMatch(s -> s instanceof Field f && f.getName().startsWith("__"));
  }
}
