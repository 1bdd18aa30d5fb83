FROM bulwark-demo/base:1
COPY app/ /
LABEL org.opencontainers.image.base.name="bulwark-demo/base:1"
EXPOSE 8080
CMD ["python3", "-m", "app"]
