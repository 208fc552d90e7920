package dev.trcr.api;

import dev.trcr.kernel.Bus;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.TrcrException;
import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerResult;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.schema.DataFetchingEnvironment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one place where failures become GraphQL errors. A bus command's failure ({@code ReplyException} whose message is
 * {@code {"error":{"code","message","field"?}}}) or a {@link TrcrException} keeps its machine code in
 * {@code extensions.code} (and {@code extensions.field} when a field is named), exactly as REST renders it; graphql-java's
 * own errors get a code too: {@code invalid_query} for a document that does not parse or fit the schema,
 * {@code validation_failed} for variables of the wrong type. Anything else is logged and shows as {@code internal_error}.
 */
final class GraphqlErrors {

  private GraphqlErrors() {
  }

  /** The REST error object ({@code {code, message, field?}}) of any failure. */
  static JsonObject restError(Throwable cause, Object where) {
    Throwable unwrapped = cause;
    while (unwrapped instanceof CompletionException && unwrapped.getCause() != null) {
      unwrapped = unwrapped.getCause();
    }
    if (unwrapped instanceof TrcrException t) {
      return t.toJson().getJsonObject("error");
    }
    return Bus.errorBody(Bus.toReply(unwrapped, where)).getJsonObject("error");
  }

  /** A GraphQL error of a failed field, at that field's path and location. */
  static GraphQLError fieldError(Throwable cause, DataFetchingEnvironment env) {
    JsonObject error = restError(cause, "GraphQL field " + env.getExecutionStepInfo().getPath());
    return GraphqlErrorBuilder.newError(env).message(error.getString("message")).extensions(extensions(error)).build();
  }

  /** A GraphQL error that belongs to no field (limits, refused subscriptions, HTTP-level failures). */
  static GraphQLError error(ErrorCode code, String message) {
    return GraphqlErrorBuilder.newError().message(message).errorType(ErrorType.ExecutionAborted)
        .extensions(Map.of("code", code.code())).build();
  }

  /** {@code {"errors":[{message, extensions:{code}}]}}: the body of a GraphQL request refused before execution. */
  static JsonObject errorsBody(JsonObject restError) {
    JsonObject extensions = new JsonObject().put("code", restError.getString("code"));
    if (restError.getString("field") != null) {
      extensions.put("field", restError.getString("field"));
    }
    return new JsonObject().put("errors", new JsonArray()
        .add(new JsonObject().put("message", restError.getString("message")).put("extensions", extensions)));
  }

  /** One {@code error} payload of graphql-transport-ws: the list of errors. */
  static JsonArray wsErrorPayload(JsonObject restError) {
    return errorsBody(restError).getJsonArray("errors");
  }

  private static Map<String, Object> extensions(JsonObject error) {
    Map<String, Object> extensions = new LinkedHashMap<>();
    extensions.put("code", error.getString("code"));
    if (error.getString("field") != null) {
      extensions.put("field", error.getString("field"));
    }
    return extensions;
  }

  /** Resolver failures: the field is null and the error carries the domain's code. */
  static DataFetcherExceptionHandler exceptionHandler() {
    return params -> CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult
        .newResult(fieldError(params.getException(), params.getDataFetchingEnvironment())).build());
  }

  /** Gives graphql-java's own errors (syntax, validation, variable coercion) a machine code as well. */
  static final class Codes extends SimplePerformantInstrumentation {

    @Override
    public CompletableFuture<ExecutionResult> instrumentExecutionResult(ExecutionResult result,
                                                                       InstrumentationExecutionParameters parameters,
                                                                       InstrumentationState state) {
      if (result.getErrors().isEmpty()
          || result.getErrors().stream().allMatch(e -> e.getExtensions() != null && e.getExtensions().containsKey("code"))) {
        return CompletableFuture.completedFuture(result);
      }
      List<GraphQLError> coded = new ArrayList<>();
      for (GraphQLError e : result.getErrors()) {
        coded.add(e.getExtensions() != null && e.getExtensions().containsKey("code") ? e : withCode(e));
      }
      return CompletableFuture.completedFuture(result.transform(b -> b.errors(coded)));
    }

    private static GraphQLError withCode(GraphQLError e) {
      Map<String, Object> extensions = new LinkedHashMap<>(e.getExtensions() == null ? Map.of() : e.getExtensions());
      extensions.put("code", codeOf(e).code());
      return GraphqlErrorBuilder.newError().message(e.getMessage()).locations(e.getLocations()).path(e.getPath())
          .errorType(e.getErrorType()).extensions(extensions).build();
    }

    private static ErrorCode codeOf(GraphQLError e) {
      ErrorClassification type = e.getErrorType();
      // Variable coercion failures are exceptions classified as validation errors: a wrong value, not a wrong query.
      if (type == ErrorType.ValidationError && e instanceof graphql.GraphQLException) {
        return ErrorCode.VALIDATION_FAILED;
      }
      if (type == ErrorType.InvalidSyntax || type == ErrorType.ValidationError || type == ErrorType.OperationNotSupported) {
        return ErrorCode.INVALID_QUERY;
      }
      return ErrorCode.INTERNAL_ERROR;
    }
  }
}
