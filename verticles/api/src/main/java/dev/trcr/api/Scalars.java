package dev.trcr.api;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;
import graphql.schema.idl.RuntimeWiring;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;

/**
 * The schema's own scalars. {@code Decimal}: money and rates stay exact decimal strings end to end, as on REST; a
 * string, an integer, or a literal with a decimal point (read exactly) is accepted, a JSON floating-point number in
 * the variables is not (it may already have lost digits). {@code JSON}: an object shown as it is (output only).
 */
final class Scalars {

  private Scalars() {
  }

  static void wire(RuntimeWiring.Builder wiring) {
    wiring.scalar(DECIMAL).scalar(JSON);
  }

  static final GraphQLScalarType DECIMAL = GraphQLScalarType.newScalar().name("Decimal")
      .description("An exact decimal number as a string, e.g. \"1190.00\". Never a float.")
      .coercing(new Coercing<Object, String>() {
        @Override
        public String serialize(Object value, GraphQLContext context, Locale locale) {
          if (value instanceof String s) {
            return s;
          }
          if (value instanceof BigDecimal d) {
            return d.toPlainString();
          }
          if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return value.toString();
          }
          throw new CoercingSerializeException("not a decimal: " + value);
        }

        @Override
        public String parseValue(Object input, GraphQLContext context, Locale locale) {
          if (input instanceof String s) {
            return s;
          }
          if (input instanceof Integer || input instanceof Long || input instanceof BigInteger) {
            return input.toString();
          }
          if (input instanceof BigDecimal d) {
            return d.toPlainString();
          }
          throw new CoercingParseValueException("a Decimal is sent as a string, e.g. \"1190.00\"");
        }

        @Override
        public String parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
          if (input instanceof StringValue s) {
            return s.getValue();
          }
          if (input instanceof IntValue i) {
            return i.getValue().toString();
          }
          if (input instanceof FloatValue f) {
            return f.getValue().toPlainString();
          }
          throw new CoercingParseLiteralException("a Decimal is a string, e.g. \"1190.00\"");
        }
      }).build();

  static final GraphQLScalarType JSON = GraphQLScalarType.newScalar().name("JSON")
      .description("A JSON object.")
      .coercing(new Coercing<Object, Object>() {
        @Override
        public Object serialize(Object value, GraphQLContext context, Locale locale) {
          if (value instanceof JsonObject json) {
            return json.getMap();
          }
          if (value instanceof Map<?, ?> map) {
            return map;
          }
          throw new CoercingSerializeException("not a JSON object: " + value);
        }

        @Override
        public Object parseValue(Object input, GraphQLContext context, Locale locale) {
          throw new CoercingParseValueException("JSON is output only");
        }

        @Override
        public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
          throw new CoercingParseLiteralException("JSON is output only");
        }
      }).build();
}
