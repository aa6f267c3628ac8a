# Build stage: compile and package the service with Maven.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY seed_tasks seed_tasks
COPY src src
RUN mvn -B -q -DskipTests package

# Run stage: a JRE and the jar.
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/target/self-instruct-service-*.jar app.jar
VOLUME /app/data
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
